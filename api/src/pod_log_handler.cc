#include "pod_log_handler.h"

#include <chrono>
#include <memory>

#include "log_pump.h"
#include "moor/api/pod_log_query.h"
#include "moor/common/log.h"
#include "responses.h"

namespace moor::api {
namespace {

// How long a request waits for the first output before it commits to a streamed 200 answer:
// errors the source reports within this time get their own status code.
constexpr std::chrono::milliseconds kFirstOutputWait{1000};
// How often a streaming answer checks that its client is still there while the log is quiet.
constexpr std::chrono::milliseconds kStreamPoll{200};

HttpResponse ErrorFor(const Status& status, const std::string& pod) {
  int code = HttpCodeFor(status.code());
  StatusDetails details;
  details.name = pod;
  details.kind = "pods";
  return StatusResponse(code, ReasonForHttpCode(code), status.message(), details);
}

HttpResponse TextResponse() {
  HttpResponse resp;
  resp.status = 200;
  resp.headers["Content-Type"] = "text/plain";
  return resp;
}

}  // namespace

PodLogHandler::PodLogHandler(store::Store* store, PodLogSource* source) : store_(store), source_(source) {}

HttpResponse PodLogHandler::Serve(const HttpRequest& req, const Route& route) {
  if (req.method != "GET") {
    return StatusResponse(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  }
  if (source_ == nullptr) return StatusResponse(503, "ServiceUnavailable", "no node agent on this server");
  auto pod = store_->Get({"Pod", route.ns.value_or(""), route.name});
  if (!pod.ok()) return StoreErrorResponse(pod.status(), *route.kind, route.name);
  auto query = ParsePodLogQuery(route.ns.value_or(""), route.name, ParseQuery(req.raw_query));
  if (!query.ok()) return ErrorFor(query.status(), route.name);
  auto container = ResolveLogContainer(pod->object, query->request.container);
  if (!container.ok()) return ErrorFor(container.status(), route.name);
  query->request.container = *container;

  auto pump = std::make_shared<LogPump>(source_, query->request, query->limit_bytes);
  pump->WaitForOutputOrEnd(kFirstOutputWait);
  LogPump::Batch first = pump->Take(std::chrono::milliseconds(0));
  if (first.ended) {
    Status result = pump->result();
    if (!result.ok() && first.data.empty()) return ErrorFor(result, route.name);
    if (!result.ok()) LogWarn("pod log ended with an error", {{"pod", route.name}, {"error", result.ToString()}});
    HttpResponse resp = TextResponse();
    resp.body = std::move(first.data);
    return resp;
  }
  HttpResponse resp = TextResponse();
  std::string pod_name = route.name;
  resp.stream = [pump, pod_name, data = std::move(first.data)](ChunkWriter& writer) {
    bool open = data.empty() || writer.Write(data);
    while (open) {
      LogPump::Batch batch = pump->Take(kStreamPoll);
      if (!batch.data.empty() && !writer.Write(batch.data)) break;
      if (batch.ended) break;
      open = writer.Open();
    }
    pump->Cancel();
    Status result = pump->result();
    if (!result.ok()) LogWarn("pod log ended with an error", {{"pod", pod_name}, {"error", result.ToString()}});
  };
  return resp;
}

}  // namespace moor::api
