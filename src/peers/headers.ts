// The headers an agent answers /containers with, naming itself: its random ID (so an
// agent finds itself among the addresses a DNS name gives) and its host's name.

export const AGENT_ID_HEADER = 'x-dockmon-agent';
export const NODE_NAME_HEADER = 'x-dockmon-node';
