// Drives a Custom Vision prediction endpoint (Fovea's drop-in replacement, in the tests) with the
// OFFICIAL Azure client, @azure/cognitiveservices-customvision-prediction 5.1.2, so that the tests
// check Fovea against what real client code sends and expects, not against our reading of the docs.
//
// Usage: node classify.mjs BASE_URL KEY PROJECT_ID PUBLISHED_NAME METHOD ARG
//   METHOD: classifyImage | classifyImageWithNoStore   (ARG: path of an image file, sent as its bytes)
//           classifyImageUrl | classifyImageUrlWithNoStore (ARG: the image URL, sent as {"url": ARG})
//   The key goes in the Prediction-Key header (ApiKeyCredentials inHeader), as Azure's samples do.
//   The client itself builds {BASE_URL}/customvision/v3.1/prediction/{PROJECT_ID}/classify/iterations/...
//
// Prints exactly one JSON line on stdout and exits 0 once the client call has settled:
//   {"ok":true,"result":<ImagePrediction as the client returns it; Dates as ISO strings>}
//   {"ok":false,"status":<HTTP status or null>,"code":<error code the client parsed or null>,"message":<message>}
// Exit 2: bad usage; exit 1: the script itself failed (e.g. unreadable image file). Details on stderr.
//
// BASE_URL must be scheme://host[:port] with no path: the client (ms-rest-js URLBuilder) drops everything
// after a path in the endpoint, so http://h/prefix would send POST /prefix.
//
// Environment (both optional; unset means the client exactly as shipped):
//   FOVEA_CV_NO_RETRY=1     passes {noRetryPolicy: true} to the client. Without it the client keeps
//                           ms-rest-js's retry policies: 408 and 5xx other than 501/505 are retried up to
//                           3 times, 27 s to 90 s apart; connection errors (ECONNREFUSED, ECONNRESET, ...)
//                           likewise; 429 is NOT retried (the throttling policy never sees it).
//   FOVEA_CV_BASE_PATH=P    replaces the client's base path "/customvision/v3.1/prediction" with P, e.g.
//                           "/customvision/v3.0/Prediction" to drive the v3.0 routes with the same client
//                           (5.1.2 itself only knows v3.1, spelled with a lower-case "prediction").
import { readFileSync } from "node:fs";
import predictionPkg from "@azure/cognitiveservices-customvision-prediction";
import msRest from "@azure/ms-rest-js";

const { PredictionAPIClient } = predictionPkg;
const { ApiKeyCredentials } = msRest;

const IMAGE_METHODS = new Set(["classifyImage", "classifyImageWithNoStore"]);
const URL_METHODS = new Set(["classifyImageUrl", "classifyImageUrlWithNoStore"]);

function usage(message) {
  process.stderr.write(
    `classify.mjs: ${message}\n` +
      "usage: node classify.mjs BASE_URL KEY PROJECT_ID PUBLISHED_NAME METHOD ARG\n" +
      `  METHOD: ${[...IMAGE_METHODS, ...URL_METHODS].join(" | ")}\n`
  );
  process.exitCode = 2;
}

function printLine(obj) {
  // JSON.stringify turns Dates into ISO strings through Date.prototype.toJSON (an invalid Date becomes null);
  // the client's _response is a non-enumerable property, so it is left out.
  process.stdout.write(JSON.stringify(obj) + "\n");
}

async function main(argv) {
  if (argv.length !== 6) {
    usage(`expected 6 arguments, got ${argv.length}`);
    return;
  }
  const [baseUrl, key, projectId, publishedName, method, arg] = argv;
  if (!IMAGE_METHODS.has(method) && !URL_METHODS.has(method)) {
    usage(`unknown METHOD ${JSON.stringify(method)}`);
    return;
  }

  const credentials = new ApiKeyCredentials({ inHeader: { "Prediction-Key": key } });
  const options = process.env.FOVEA_CV_NO_RETRY === "1" ? { noRetryPolicy: true } : undefined;
  const client = new PredictionAPIClient(credentials, baseUrl, options);
  const basePath = process.env.FOVEA_CV_BASE_PATH;
  if (basePath) {
    client.baseUri = "{Endpoint}" + (basePath.startsWith("/") ? basePath : "/" + basePath);
  }

  // The image methods take the bytes as a Buffer (the client's "Stream" mapper accepts a string, Blob,
  // ArrayBuffer(View) or a function returning a stream; a plain stream object is rejected).
  const body = IMAGE_METHODS.has(method) ? readFileSync(arg) : { url: arg };

  let result;
  try {
    result = await client[method](projectId, publishedName, body);
  } catch (err) {
    // RestError from ms-rest-js: statusCode is set for HTTP errors; code/message come from the error body
    // ({"code","message"} or {"error":{"code","message"}}), or are the client's own (e.g. REQUEST_SEND_ERROR,
    // PARSE_ERROR, or a plain Error without code for arguments it rejects before sending, such as a
    // PROJECT_ID that is not a UUID).
    const status = err && typeof err.statusCode === "number" ? err.statusCode : null;
    const code = err && err.code !== undefined && err.code !== null ? String(err.code) : null;
    const message = err && err.message !== undefined ? String(err.message) : String(err);
    printLine({ ok: false, status, code, message });
    return;
  }
  printLine({ ok: true, result });
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`classify.mjs: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 1;
});
