export { program, runChainlm } from './program.js';
export { packageClis } from './package-clis.js';
export type { DoctorReport } from './commands/doctor.js';
