/**
 * faye-websocket ships no types; the tests describe the parts they use
 * where they use them (test/peers/servers.ts, clients.ts).
 */
declare module "faye-websocket" {
  const faye: unknown;
  export default faye;
}
