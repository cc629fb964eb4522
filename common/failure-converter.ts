/**
 * The failure converter of clients and workers when payloads are encrypted: failure messages and
 * stack traces move into an encoded payload (`encodeCommonAttributes`), so the codec encrypts them
 * too and history shows only "Encoded failure". Loaded by path (`failureConverterPath`): the
 * workflow bundle carries its own copy, so this module imports nothing with I/O.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
