export { ApiKeys, bearerToken, readApiKeysFile, loadApiKeys, type ApiKeySources } from './api-keys.js';
export { isLoopbackAddress, isLoopbackHostHeader, resolveBindAddresses } from './loopback.js';
export { assertBindAllowed, assertExposureAllowed, insecureNoAuthWarning, listenGuarded, type ExposureCheck, type GuardedListener, type ListenGuardOptions } from './exposure.js';
