/**
 * What an EngineDriver reports, handed to its WebSocket face:
 *
 *   EngineDriver --message/ping/pong/closing/closed/sent--> FaceEvents --hooks--> WebSocket (private steps)
 *
 * One small object per connection whose methods live on the prototype,
 * where a record of closures per connection would cost a closure per
 * event kind. The hooks reach the face's private steps; the WebSocket
 * class installs them once, from its static block.
 */
import type { DriverEvents } from "./driver.ts";
import type { WebSocket } from "./websocket.ts";

/** The face's side of DriverEvents, for one socket at a time. */
export interface FaceHooks {
  message(ws: WebSocket, data: string | Uint8Array): void;
  ping(ws: WebSocket, data: Uint8Array): void;
  pong(ws: WebSocket, data: Uint8Array): void;
  closing(ws: WebSocket): void;
  closed(ws: WebSocket, code: number, reason: string, wasClean: boolean, failed: boolean, error?: unknown): void;
  sent(ws: WebSocket): void;
}

let hooks: FaceHooks;

/** Called once by the WebSocket class. */
export function setFaceHooks(face: FaceHooks): void {
  hooks = face;
}

export class FaceEvents implements DriverEvents {
  constructor(private readonly ws: WebSocket) {}
  message(data: string | Uint8Array): void { hooks.message(this.ws, data); }
  ping(data: Uint8Array): void { hooks.ping(this.ws, data); }
  pong(data: Uint8Array): void { hooks.pong(this.ws, data); }
  closing(): void { hooks.closing(this.ws); }
  closed(code: number, reason: string, wasClean: boolean, failed: boolean, error?: unknown): void {
    hooks.closed(this.ws, code, reason, wasClean, failed, error);
  }
  sent(): void { hooks.sent(this.ws); }
}
