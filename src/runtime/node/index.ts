/**
 * omnisocket on Node.
 */
import "./setup.ts";

export * from "../shared.ts";
