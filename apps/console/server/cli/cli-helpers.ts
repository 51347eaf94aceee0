export { defineCommand, isLoopbackAddress, parseNameValue, UsageError } from '@chainlm/core';
