export { stackUp, stackDown, stackStatus, localEndpoints, KAFKA_VERSION, APICURIO_VERSION } from './stack.ts';
export type { UpResult, ProcessStatus, StackEndpoints } from './stack.ts';
export { brokerCount, kafkaNodes, serverProperties, MAX_BROKERS, type KafkaNode, type StackPorts } from './nodes.ts';
export { findJava, findMaven, StackError } from './java.ts';
export { stackPaths, repoRoot } from './paths.ts';
