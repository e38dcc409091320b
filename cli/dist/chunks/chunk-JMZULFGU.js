import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{k as f,l as p}from"./chunk-EAJKVKCQ.js";import{a as i}from"./chunk-RFMOYIMQ.js";var o=class{constructor(e){this.text=e}text;static{i(this,"Md")}toString(){return this.text}},d={"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","@":"&#64;"};function a(t,e=500){return f(t,e).replace(/[\\`*_[\]#|~]/g,n=>`\\${n}`).replace(/[&<>"@]/g,n=>d[n])}i(a,"escape");function s(t){return t instanceof o?t.text:t==null?"":a(typeof t=="number"?m(t):String(t))}i(s,"cell");function b(t,...e){let n=t[0];return e.forEach((u,r)=>n+=s(u)+t[r+1]),new o(n)}i(b,"md");function M(t){return new o(`<code>${a(t)}</code>`)}i(M,"code");function h(t,e,n){let u=i(l=>`| ${l.map(s).join(" | ")} |`,"line"),r=`|${t.map((l,c)=>({l:" :-- ",r:" --: ",c:" :-: "})[n?.[c]??"l"]).join("|")}|`;return new o([u(t),r,...e.map(u)].join(`
`))}i(h,"table");function $(t,e){return new o(`<details><summary>${s(t)}</summary>

${e.text}

</details>`)}i($,"details");function y(t,e){return new o(`${"#".repeat(t)} ${s(e)}`)}i(y,"heading");function S(t,e=`

`){return new o(t.filter(n=>n instanceof o).map(n=>n.text).join(e))}i(S,"join");function m(t){if(!Number.isFinite(t)||Number.isInteger(t))return String(t);let e=Math.abs(t);return e!==0&&(e<1e-4||e>=1e9)?t.toExponential(3):String(Number(t.toPrecision(4)))}i(m,"formatNumber");var C=1024*1024;function I(t,e){if(Buffer.byteLength(t)<=e)return t;let n=`

_(report truncated: it exceeded the size limit; the full report is in the JSON report file)_
`,u=e-Buffer.byteLength(n),r=Buffer.from(t).subarray(0,u).toString("utf8");r=r.replace(/\uFFFD$/,"");let l=r.lastIndexOf(`
`);l>0&&(r=r.slice(0,l));let c=(r.match(/<details>/g)??[]).length-(r.match(/<\/details>/g)??[]).length;return r+`

</details>`.repeat(Math.max(0,c))+n}i(I,"truncate");function T(t){let e=t.map(r=>p(r.replace(/\n/g," "),500)).join(`
`),n=Math.max(2,...(e.match(/`+/g)??[]).map(r=>r.length)),u="`".repeat(n+1);return new o(`${u}text
${e}
${u}`)}i(T,"preformatted");export{o as a,b,M as c,h as d,$ as e,y as f,S as g,m as h,I as i,T as j};
