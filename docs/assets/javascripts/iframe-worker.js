/*
 * iframe-worker (Martin Donath, MIT licence: iframe-worker.LICENSE.txt), as
 * Material's offline plugin uses it: read from disk (file://), a browser runs
 * no Web Worker, so the search worker runs in a hidden iframe instead.
 *
 * Changed for the Chronicle: the original writes an inline <script> into the
 * iframe, whose text holds the worker's address, so no Content-Security-Policy
 * hash could cover it. Here the iframe loads workers/iframe-worker-scope.js, a file of
 * the site, and reads the worker's address from its frame element.
 */
"use strict";
(() => {
  // Under workers/, as the search worker expects of the first script it finds (it reads
  // its own folder from that address).
  const scope = new URL("workers/iframe-worker-scope.js", document.currentScript.src).href;

  class IFrameWorker extends EventTarget {
    constructor(url) {
      super();
      this.url = url;
      this.m = (event) => {
        if (event.source === this.w) {
          this.dispatchEvent(new MessageEvent("message", { data: event.data }));
          if (this.onmessage) this.onmessage(event);
        }
      };
      this.e = (message, filename, lineno, colno, error) => {
        if (filename === `${this.url}`) {
          const event = new ErrorEvent("error", { message, filename, lineno, colno, error });
          this.dispatchEvent(event);
          if (this.onerror) this.onerror(event);
        }
      };
      const iframe = document.createElement("iframe");
      iframe.hidden = true;
      iframe.dataset.workerUrl = `${url}`;
      document.body.appendChild((this.iframe = iframe));
      this.w.document.open();
      this.w.document.write(
        `<html><body><script src="${scope}"><\/script><script src="${url}?${+Date.now()}"><\/script></body></html>`,
      );
      this.w.document.close();
      onmessage = this.m;
      onerror = this.e;
      this.r = new Promise((resolve, reject) => {
        this.w.onload = resolve;
        this.w.onerror = reject;
      });
    }

    terminate() {
      this.iframe.remove();
      onmessage = onerror = null;
    }

    postMessage(data) {
      this.r.catch().then(() => {
        this.w.dispatchEvent(new MessageEvent("message", structuredClone({ data })));
      });
    }

    get w() {
      return this.iframe.contentWindow;
    }
  }

  window.IFrameWorker = IFrameWorker;
  if (location.protocol === "file:") window.Worker = IFrameWorker;
})();
