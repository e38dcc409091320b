import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{a as r,b as o}from"../../../dist/chunk-A4KSJKVL.js";import"../../../dist/chunk-AKHPDAD2.js";import"../../../dist/chunk-XBHEAGWQ.js";import"../../../dist/chunk-5U7QVZPM.js";import"../../../dist/chunk-2C4HE6Z5.js";import"../../../dist/chunk-FL3EXRQK.js";import"../../../dist/chunk-IP3PUK4J.js";import"../../../dist/chunk-CSAYI3ZF.js";import"../../../dist/chunk-Z4OBTVA5.js";import"../../../dist/chunk-LW5SSBAJ.js";import"../../../dist/chunk-UMQWQGYH.js";import"../../../dist/chunk-3BU2EV4L.js";import"../../../dist/chunk-QEGEXBYC.js";import"../../../dist/chunk-6YQJCVXF.js";await o(r("pr-report"));
