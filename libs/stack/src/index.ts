export { stackUp, stackDown, stackStatus, localEndpoints, KAFKA_VERSION, APICURIO_VERSION } from './stack.ts';
export type { UpResult, ProcessStatus, StackEndpoints } from './stack.ts';
export { findJava, findMaven, StackError } from './java.ts';
export { stackPaths, repoRoot } from './paths.ts';
