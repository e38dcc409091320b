import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{g as d,h as E,i as T,k as _}from"./chunk-FVH6DL2M.js";import"./chunk-Y5OGTHYF.js";import{a as c}from"./chunk-RFMOYIMQ.js";var f=function(s,t,e,n){function a(r){return r instanceof e?r:new e(function(o){o(r)})}return c(a,"adopt"),new(e||(e=Promise))(function(r,o){function p(i){try{l(n.next(i))}catch(u){o(u)}}c(p,"fulfilled");function w(i){try{l(n.throw(i))}catch(u){o(u)}}c(w,"rejected");function l(i){i.done?r(i.value):a(i.value).then(p,w)}c(l,"step"),l((n=n.apply(s,t||[])).next())})},h=class s{static{c(this,"OidcClient")}static createHttpClient(t=!0,e=10){let n={allowRetries:t,maxRetries:e};return new d("actions/oidc-client",[new E(s.getRequestToken())],n)}static getRequestToken(){let t=process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;if(!t)throw new Error("Unable to get ACTIONS_ID_TOKEN_REQUEST_TOKEN env variable");return t}static getIDTokenUrl(){let t=process.env.ACTIONS_ID_TOKEN_REQUEST_URL;if(!t)throw new Error("Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable");return t}static getCall(t){return f(this,void 0,void 0,function*(){var e;let r=(e=(yield s.createHttpClient().getJson(t).catch(o=>{throw new Error(`Failed to get ID Token. 
 
        Error Code : ${o.statusCode}
 
        Error Message: ${o.message}`)})).result)===null||e===void 0?void 0:e.value;if(!r)throw new Error("Response json body do not have ID Token field");return r})}static getIDToken(t){return f(this,void 0,void 0,function*(){try{let e=s.getIDTokenUrl();if(t){let a=encodeURIComponent(t);e=`${e}&audience=${a}`}_(`ID token url is ${e}`);let n=yield s.getCall(e);return T(n),n}catch(e){throw new Error(`Error message: ${e.message}`)}})}};export{h as OidcClient};
