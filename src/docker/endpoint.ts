/** Where the daemon listens, parsed from DOCKER_HOST by config.ts. */
export type DockerEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };
