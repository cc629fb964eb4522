#!/bin/sh
# Stands in for the time-skipping test server when test/helpers/environments.ts has already started
# it: @temporalio/testing runs this as "the server" with `<port>`, finds the port already served by
# our JVM, and kills this process at teardown. It only waits.
exec sleep infinity
