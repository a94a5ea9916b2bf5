/*
 * What a Web Worker's global scope offers, inside the hidden iframe that
 * iframe-worker.js makes (see there): postMessage to the page, importScripts,
 * and errors reported to the page under the worker's address.
 */
"use strict";
self.postMessage = (message, origin) => parent.postMessage(message, origin || "*");
self.importScripts = (...urls) =>
  urls.reduce(
    (loaded, url) =>
      loaded.then(
        () =>
          new Promise((resolve) => {
            const script = document.createElement("script");
            script.src = url;
            script.onload = resolve;
            document.body.appendChild(script);
          }),
      ),
    Promise.resolve(),
  );
addEventListener("error", ({ error }) => {
  parent.dispatchEvent(new ErrorEvent("error", { filename: frameElement.dataset.workerUrl, error }));
});
