#pragma once

#include <string>
#include <vector>

#include "moor/api/node_services.h"
#include "moor/common/status.h"
#include "moor/manifests/object.h"

namespace moor::api {

// The JSON of /moor/v1/images, shared by the server and the client:
//   Image:     {"kind":"Image","apiVersion":"moor.dev/v1","id":"sha256:..","references":[..],
//               "size":123,"inUse":false}
//   ImageList: {"kind":"ImageList","apiVersion":"moor.dev/v1","items":[Image...]}
//   ImagePruneResult: {"kind":"ImagePruneResult","apiVersion":"moor.dev/v1","deleted":[ids]}
manifests::Object ImageToJson(const ImageSummary& image);
manifests::Object ImageListToJson(const std::vector<ImageSummary>& images);
manifests::Object PruneResultToJson(const std::vector<std::string>& deleted);

// The reverse; kInternal ("the server sent a malformed ImageList") for a body of the wrong shape.
StatusOr<ImageSummary> ImageFromJson(const manifests::Object& obj);
StatusOr<std::vector<ImageSummary>> ImageListFromJson(const manifests::Object& obj);
StatusOr<std::vector<std::string>> PruneResultFromJson(const manifests::Object& obj);

}  // namespace moor::api
