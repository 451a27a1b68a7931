import { request } from 'node:http';
import { existsSync } from 'node:fs';

export interface Containers {
  brokers: string;
  schemaRegistryUrl: string;
  stop(): Promise<void>;
}

/** True when a Docker engine answers on its socket (the client alone is not enough). */
export function dockerAnswers(socketPath = process.env.DOCKER_HOST?.replace(/^unix:\/\//, '') ?? '/var/run/docker.sock'): Promise<boolean> {
  if (!existsSync(socketPath)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/** Kafka (KRaft) and Apicurio Registry in containers, the same images as docker-compose.yml. */
export async function startContainers(): Promise<Containers> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { GenericContainer, Wait } = await import('testcontainers');
  const kafka = await new KafkaContainer('apache/kafka:4.1.1').withKraft().start();
  const registry = await new GenericContainer('apicurio/apicurio-registry:3.3.3')
    .withExposedPorts(8080)
    .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
    .start();
  return {
    brokers: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
    schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
    async stop() {
      await registry.stop();
      await kafka.stop();
    },
  };
}
