import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{a as o,b as r}from"../../../dist/chunk-VPQLMNYJ.js";import"../../../dist/chunk-3CJTGBFE.js";import"../../../dist/chunk-DDUXIWB7.js";import"../../../dist/chunk-DZ5C2GRQ.js";import"../../../dist/chunk-CA4TRTCT.js";import"../../../dist/chunk-OGICTIJN.js";import"../../../dist/chunk-VFURHAAN.js";import"../../../dist/chunk-6T2P5WGC.js";import"../../../dist/chunk-5YVFQIHX.js";import"../../../dist/chunk-SAW3RBAK.js";import"../../../dist/chunk-Z4OBTVA5.js";import"../../../dist/chunk-3GOZGOLD.js";import"../../../dist/chunk-XEYM4MCA.js";import"../../../dist/chunk-6YQJCVXF.js";await r(o("merge-profiles"));
