#pragma once

#include <string>
#include <vector>

#include "moor/manifests/object.h"

namespace moor::manifests::internal {

// The order of a merged strategic-merge list, as k8s.io/apimachinery's strategicpatch sets it
// (normalizeElementOrder): an element's identity is the value of `merge_key` for lists of maps
// (an element without it has none) and the element itself for lists of primitives.
//  - Elements whose identity is in `patch_order` (the patch list, or the $setElementOrder list)
//    are the patch items, ordered as there.
//  - The others, the server-only items, keep their order in `server_order` (the live list).
//  - The two sequences are interleaved: a server-only item goes before the next patch item
//    only if both are in the live list and it was in front of it there. So items the patch
//    adds come before server-only items that follow them, e.g. live [a, b] + patch [c] gives
//    [c, a, b], and live [a, b, c] + $setElementOrder [a, c] gives [a, b, c].
// `merged` is an array; returns the same elements reordered.
Object OrderMergedList(const Object& merged, const std::vector<Object>& patch_order,
                       const std::vector<Object>& server_order, const std::string& merge_key);

// The identities (see above) of the elements of `list`, in order; null for elements without one.
std::vector<Object> IdentitiesOf(const Object& list, const std::string& merge_key);

// The live order strategicpatch uses for a list of maps with a $setElementOrder whose patch
// list is `patch`. Kubernetes deletes the patch's `$patch: delete` elements from the live list
// in place and appends the patch's new elements to the same storage, and then reads the live
// list at its old length. So the slots freed by deletions hold the new elements (then stale
// entries): live [a, s, b] with patch [c, {$patch: delete, name: b}] reads as [a, s, c], which
// puts the server-only s in front of c and a. This reproduces that observable order.
std::vector<Object> LiveOrderForSetElementOrder(const Object& live, const Object& patch, const std::string& merge_key);

}  // namespace moor::manifests::internal
