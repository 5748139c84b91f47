/**
 * A throwaway TLS certificate made with openssl at test time: self-signed,
 * for "localhost" and the IP 127.0.0.1, so a client that trusts it (as its
 * `ca`) can reach a wss:// server on 127.0.0.1. node:child_process and
 * node:fs work on Node, Deno and Bun alike.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const OPENSSL_INSTALL_HINT = "install openssl (Debian: apt-get install openssl)";

export function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export interface Certificate {
  key: string;
  cert: string;
}

const cache = new Map<string, Certificate>();

/**
 * A key and self-signed certificate (PEM), made once per process for each
 * subjectAltName: by default "localhost" and the IP 127.0.0.1.
 */
export function localCertificate(subjectAltName = "DNS:localhost,IP:127.0.0.1"): Certificate {
  const known = cache.get(subjectAltName);
  if (known) return known;
  const dir = mkdtempSync(join(tmpdir(), "omnisocket-cert-"));
  try {
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "2",
      "-subj", "/CN=localhost", "-addext", `subjectAltName=${subjectAltName}`,
      "-addext", "basicConstraints=critical,CA:FALSE",
    ], { stdio: "ignore" });
    const made = { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8") };
    cache.set(subjectAltName, made);
    return made;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
