import type { TestProject } from 'vitest/node';
import { stackDown, stackUp } from '@optline/stack';
import { dockerAnswers, startContainers, type Containers } from './containers.ts';

// Integration tests need a real broker and registry. Order: the ones configured with
// OPTLINE_KAFKA_BROKERS; else Docker (testcontainers) when an engine answers; else the local
// stack from Maven Central jars. A missing service fails the run here, loudly.
let stopStack = false;
let containers: Containers | undefined;

export async function setup(project: TestProject): Promise<void> {
  const log = (line: string) => process.stderr.write(`[test setup] ${line}\n`);
  let brokers: string;
  let registryUrl: string;
  if (!process.env.OPTLINE_KAFKA_BROKERS && process.env.OPTLINE_TEST_DOCKER !== '0' && (await dockerAnswers())) {
    log('Docker answers: starting Kafka and Apicurio Registry with testcontainers');
    containers = await startContainers();
    brokers = containers.brokers;
    registryUrl = containers.schemaRegistryUrl;
  } else {
    const result = await stackUp(log);
    stopStack = result.started.length > 0 && process.env.OPTLINE_TEST_KEEP_STACK !== '1';
    brokers = result.brokers;
    registryUrl = result.schemaRegistryUrl;
  }
  process.env.OPTLINE_KAFKA_BROKERS = brokers;
  process.env.OPTLINE_SCHEMA_REGISTRY_URL = registryUrl;
  project.provide('kafkaBrokers', brokers);
  project.provide('schemaRegistryUrl', registryUrl);
  log(`Kafka ${brokers}, schema registry ${registryUrl}`);
}

export async function teardown(): Promise<void> {
  if (containers) await containers.stop();
  if (stopStack) await stackDown();
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    schemaRegistryUrl: string;
  }
}
