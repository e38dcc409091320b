import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{A as M,f as s,h as c,q as h}from"./chunk-WTHU2GXF.js";import{c as d,f as p}from"./chunk-TCPK4SNS.js";import{c as f}from"./chunk-CWWB7GZR.js";import{a as m}from"./chunk-RFMOYIMQ.js";import F from"node:fs";import n from"node:path";async function I(u,i,l="model",w=i.env.GITHUB_TOKEN){let e=h(u,l);if(e.kind==="path"){let r=n.resolve(i.workspace,e.path);d(r,{input:l,display:e.path});let t=n.join(n.dirname(r),s),o=F.existsSync(t)?c(JSON.parse(F.readFileSync(t,"utf8")),t):null;if(o&&o.model.digest!==`sha256:${await p(r)}`)throw new f(`${s} beside the model describes another file (digest mismatch)`,{where:{file:t}});return{file:r,manifest:o}}let a=await M(e,i,{githubToken:w});return{file:a.modelPath,manifest:a.manifest}}m(I,"resolveModelFile");export{I as a};
