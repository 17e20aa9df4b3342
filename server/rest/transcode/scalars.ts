// Text from a URL as a protobuf scalar, in the form reflection's set() takes
// (64-bit integers as bigint). Decimal integers only; bools are true/false/1/0;
// bytes are base64 (standard or URL-safe). Errors name the parameter.
import { ScalarType } from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import { Code, ConnectError } from "@connectrpc/connect";

const INTEGER = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

const RANGES: Partial<Record<ScalarType, readonly [bigint, bigint, string]>> = {
  [ScalarType.INT32]: [-(2n ** 31n), 2n ** 31n - 1n, "int32"],
  [ScalarType.SINT32]: [-(2n ** 31n), 2n ** 31n - 1n, "int32"],
  [ScalarType.SFIXED32]: [-(2n ** 31n), 2n ** 31n - 1n, "int32"],
  [ScalarType.UINT32]: [0n, 2n ** 32n - 1n, "uint32"],
  [ScalarType.FIXED32]: [0n, 2n ** 32n - 1n, "uint32"],
  [ScalarType.INT64]: [-(2n ** 63n), 2n ** 63n - 1n, "int64"],
  [ScalarType.SINT64]: [-(2n ** 63n), 2n ** 63n - 1n, "int64"],
  [ScalarType.SFIXED64]: [-(2n ** 63n), 2n ** 63n - 1n, "int64"],
  [ScalarType.UINT64]: [0n, 2n ** 64n - 1n, "uint64"],
  [ScalarType.FIXED64]: [0n, 2n ** 64n - 1n, "uint64"],
};
const LONG = new Set([ScalarType.INT64, ScalarType.SINT64, ScalarType.SFIXED64, ScalarType.UINT64, ScalarType.FIXED64]);

const bad = (label: string, text: string, allowed: string) =>
  new ConnectError(`${label}: ${JSON.stringify(text)} is not ${allowed}`, Code.InvalidArgument);

export function parseScalar(type: ScalarType, text: string, label: string): string | number | bigint | boolean | Uint8Array {
  switch (type) {
    case ScalarType.STRING:
      return text;
    case ScalarType.BOOL: {
      const t = text.toLowerCase();
      if (t === "true" || t === "1") return true;
      if (t === "false" || t === "0") return false;
      throw bad(label, text, "a bool (true or false)");
    }
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT: {
      if (text === "NaN" || text === "Infinity" || text === "-Infinity") return Number(text);
      if (!FLOAT.test(text)) throw bad(label, text, "a number");
      return Number(text);
    }
    case ScalarType.BYTES:
      if (!BASE64.test(text)) throw bad(label, text, "base64");
      return base64Decode(text);
    default: {
      const range = RANGES[type];
      if (!range) throw bad(label, text, `a value of scalar type ${type}`);
      const [min, max, name] = range;
      if (!INTEGER.test(text)) throw bad(label, text, `an integer (${name})`);
      const n = BigInt(text);
      if (n < min || n > max) throw bad(label, text, `in range for ${name} (${min}..${max})`);
      return LONG.has(type) ? n : Number(n);
    }
  }
}
