import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{a as r,b as o}from"../../../dist/chunk-LMLLVLG5.js";import"../../../dist/chunk-DBR3FAWS.js";import"../../../dist/chunk-DDUXIWB7.js";import"../../../dist/chunk-KPUVPHSM.js";import"../../../dist/chunk-GP25PUN6.js";import"../../../dist/chunk-PVQLVXAB.js";import"../../../dist/chunk-QZKJ42UB.js";import"../../../dist/chunk-5BDC54BP.js";import"../../../dist/chunk-C6E56MBN.js";import"../../../dist/chunk-PXLBY3CR.js";import"../../../dist/chunk-Z4OBTVA5.js";import"../../../dist/chunk-QJJNHVAE.js";import"../../../dist/chunk-SZ2E24RH.js";import"../../../dist/chunk-6YQJCVXF.js";await o(r("pr-report"));
