#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx compiles and caches on first load).
import { register } from "tsx/esm/api";

register();
await import("../server/main.ts");
