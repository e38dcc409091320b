import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{a as r,b as o}from"../../../dist/chunk-QBZVTQ7R.js";import"../../../dist/chunk-RESU57OH.js";import"../../../dist/chunk-DDUXIWB7.js";import"../../../dist/chunk-4RXKO2GC.js";import"../../../dist/chunk-DP5BBHEG.js";import"../../../dist/chunk-UOGRXQL2.js";import"../../../dist/chunk-5IIX2JOR.js";import"../../../dist/chunk-OOGS2PYH.js";import"../../../dist/chunk-RV3P7GUA.js";import"../../../dist/chunk-USPIDHUR.js";import"../../../dist/chunk-Z4OBTVA5.js";import"../../../dist/chunk-AR4XFQBI.js";import"../../../dist/chunk-C3CZRW2F.js";import"../../../dist/chunk-6YQJCVXF.js";await o(r("pr-report"));
