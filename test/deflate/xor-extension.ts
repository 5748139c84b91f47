/**
 * "x-xor": a toy extension that XORs each message with a one-byte key and
 * marks it with RSV2. The client offers `x-xor; key=90`, the server accepts
 * an offer whose key is a byte, and both ends then use that key.
 */
import type { Extension, ExtensionMessage, ExtensionParams } from "../../src/core/websocket/extensions/extension.ts";

function xor(data: Uint8Array, key: number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! ^ key;
  return out;
}

/** One connection's session; the same class serves both roles. */
class XorSession {
  constructor(private readonly key: number) {}

  // Client: what to offer, and whether the server's response is acceptable.
  generateOffer(): ExtensionParams {
    return { key: this.key };
  }
  activate(params: ExtensionParams): boolean {
    return params.key === this.key; // "key=90" arrives as the number 90
  }

  // Server: what to answer.
  generateResponse(): ExtensionParams {
    return { key: this.key };
  }

  // Whole messages; return a promise instead when the work is asynchronous.
  processOutgoingMessage(message: ExtensionMessage): ExtensionMessage {
    return { ...message, rsv2: true, data: xor(message.data, this.key) };
  }
  processIncomingMessage(message: ExtensionMessage): ExtensionMessage {
    if (!message.rsv2) return message; // not transformed by the peer
    return { ...message, rsv2: false, data: xor(message.data, this.key) };
  }
}

export function xorExtension(key = 0x5a): Extension {
  return {
    name: "x-xor",
    type: "permessage",
    rsv1: false,
    rsv2: true, // the RSV bit this extension claims
    rsv3: false,
    createClientSession: () => new XorSession(key),
    createServerSession(offers) {
      // The first acceptable offer wins; null declines the extension.
      for (const offer of offers) {
        const value = offer.key;
        if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 255) {
          return new XorSession(value);
        }
      }
      return null;
    },
  };
}
