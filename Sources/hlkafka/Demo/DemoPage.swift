import Foundation
import Hummingbird
import NIOCore

/// The page `hlkafka demo --serve` serves on a second origin: it plays highlight's browser SDK in a real browser.
///
/// It makes a session id, sends orders to the API cross-origin with `x-highlight-request: <session>/<request>` and a
/// W3C `traceparent` (as a page running OpenTelemetry does), and shows per request, as it happens, the hops the
/// request reached, whether every hop saw the page's trace id, and the error the worker linked to the session.
/// `?auto=coffee,broken` places those orders as soon as the page loads (what the browser test does) and marks the
/// body `data-done="true"` once the worker is done with all of them.
///
/// One static page with a little script: no build step, no framework. Values from the API are written with
/// `textContent`, never as markup.
enum DemoPage {
    /// The page, told the API's port (it calls the API on the host name it was itself loaded from).
    static func html(apiPort: Int) -> String {
        template.replacingOccurrences(of: "{{API_PORT}}", with: String(apiPort))
    }

    /// Serves the page at `/`, telling it the API's port (known once the API listens, before the first request).
    static func router(apiPort: @escaping @Sendable () -> Int) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/") { _, _ -> Response in
            let page = html(apiPort: apiPort())
            return Response(
                status: .ok,
                headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: page))
            )
        }
        return router
    }

    private static let template = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>hlkafka demo: browser → API → Kafka → worker</title>
        <style>
          body { font: 15px/1.4 system-ui, sans-serif; margin: 2em; color: #1d1d1f; }
          h1 { font-size: 1.3em; } code { background: #f2f2f4; padding: 0 .3em; border-radius: 3px; }
          button { font: inherit; margin-right: .5em; padding: .3em .9em; }
          table { border-collapse: collapse; margin-top: 1.2em; width: 100%; }
          th, td { border-bottom: 1px solid #ddd; padding: .35em .6em; text-align: left; font-size: .92em; }
          td.mono, td:nth-child(3) { white-space: nowrap; } td.mono { font-family: ui-monospace, monospace; }
          .ok { color: #0a7a2f; } .bad { color: #b3261e; } .wait { color: #8a8a8e; }
        </style>
        </head>
        <body>
        <h1>Orders, traced from this page to the Kafka worker</h1>
        <p>Session <code id="session"></code> · API <code id="api"></code></p>
        <p>
          <button data-item="coffee">Order coffee</button>
          <button data-item="tea">Order tea</button>
          <button data-item="broken">Order a broken item (the worker fails)</button>
        </p>
        <table>
          <thead><tr><th>request</th><th>trace id</th><th>hops</th><th>error linked to the session</th></tr></thead>
          <tbody id="rows"></tbody>
        </table>
        <script>
        "use strict";
        const api = location.protocol + "//" + location.hostname + ":{{API_PORT}}";
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        function randomText(length) {
          const bytes = crypto.getRandomValues(new Uint8Array(length));
          return Array.from(bytes, b => alphabet[b % alphabet.length]).join("");
        }
        function randomHex(bytes) {
          return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), b => b.toString(16).padStart(2, "0")).join("");
        }
        // highlight's browser SDK: a 28-character session secure id per session, a request id per request.
        const session = randomText(28);
        document.body.dataset.session = session;
        document.getElementById("session").textContent = session;
        document.getElementById("api").textContent = api;

        function cell(row, text, className) {
          const td = row.insertCell();
          td.textContent = text;
          if (className) td.className = className;
          return td;
        }

        async function placeOrder(item) {
          const requestID = randomText(10);
          const traceID = randomHex(16);
          const row = document.getElementById("rows").insertRow();
          row.dataset.request = requestID;
          row.dataset.trace = traceID;
          row.dataset.item = item;
          cell(row, requestID + " (" + item + ")", "mono");
          cell(row, traceID, "mono");
          const hops = cell(row, "browser → …", "wait");
          const error = cell(row, "-");
          try {
            const response = await fetch(api + "/orders?item=" + encodeURIComponent(item), {
              method: "POST",
              headers: {
                "x-highlight-request": session + "/" + requestID,
                "traceparent": "00-" + traceID + "-" + randomHex(8) + "-01",
              },
            });
            if (!response.ok) throw new Error("the API answered " + response.status);
            const journey = await (await fetch(api + "/journeys/" + requestID + "?wait=20")).json();
            row.dataset.hops = journey.hops.join(",");
            row.dataset.traceContinued = String(journey.traceIDs.length > 0 && journey.traceIDs.every(t => t === traceID));
            hops.textContent = ["browser"].concat(journey.hops).join(" → ");
            hops.className = journey.done ? "ok" : "wait";
            if (row.dataset.traceContinued !== "true") hops.textContent += " (trace id changed)";
            if (journey.error) {
              const matches = journey.errorSession === session;
              row.dataset.errorSessionMatches = String(matches);
              error.textContent = journey.error + (matches ? " (session matches)" : " (another session!)");
              error.className = matches ? "ok" : "bad";
            }
          } catch (failure) {
            // A refused CORS preflight ends here: the browser never sent the order.
            row.dataset.refused = "true";
            hops.textContent = "browser ✗ refused: " + failure.message;
            hops.className = "bad";
          }
        }

        for (const button of document.querySelectorAll("button[data-item]")) {
          button.addEventListener("click", () => placeOrder(button.dataset.item));
        }
        const auto = new URLSearchParams(location.search).get("auto");
        (async () => {
          if (auto) for (const item of auto.split(",")) await placeOrder(item);
          document.body.dataset.done = "true";
        })();
        </script>
        </body>
        </html>
        """#
}
