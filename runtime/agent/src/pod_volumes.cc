#include "pod_volumes.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "moor/common/files.h"
#include "moor/common/mounts.h"
#include "moor/manifests/quantity.h"

#include "json_fields.h"

namespace moor::runtime {
namespace fs = std::filesystem;
namespace {

Status MakeDirs(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return UnavailableError("creating " + dir + ": " + ec.message());
  return Status::Ok();
}

Status PrepareHostPath(const Object& spec, std::string* path) {
  *path = Str(spec, "path");
  std::string type = Str(spec, "type");
  struct stat st {};
  bool exists = ::stat(path->c_str(), &st) == 0;
  auto fail = [&](const std::string& what) {
    return FailedPreconditionError("hostPath type check failed: " + *path + " is not " + what);
  };
  if (type.empty()) return Status::Ok();
  if (type == "DirectoryOrCreate") {
    if (!exists) return MakeDirs(*path);
    return S_ISDIR(st.st_mode) ? Status::Ok() : fail("a directory");
  }
  if (type == "Directory") return exists && S_ISDIR(st.st_mode) ? Status::Ok() : fail("a directory");
  if (type == "FileOrCreate") {
    if (!exists) {
      MOOR_RETURN_IF_ERROR(MakeDirs(fs::path(*path).parent_path().string()));
      std::ofstream create(*path, std::ios::app);
      if (!create) return UnavailableError("creating " + *path + ": " + std::strerror(errno));
      return Status::Ok();
    }
    return S_ISREG(st.st_mode) ? Status::Ok() : fail("a file");
  }
  if (type == "File") return exists && S_ISREG(st.st_mode) ? Status::Ok() : fail("a file");
  if (type == "Socket") return exists && S_ISSOCK(st.st_mode) ? Status::Ok() : fail("a socket");
  if (type == "CharDevice") return exists && S_ISCHR(st.st_mode) ? Status::Ok() : fail("a character device");
  if (type == "BlockDevice") return exists && S_ISBLK(st.st_mode) ? Status::Ok() : fail("a block device");
  return FailedPreconditionError("hostPath type " + type + " is not supported");
}

// configMap / secret volume files: `items` select and rename keys, else every key.
StatusOr<std::map<std::string, std::pair<std::string, int>>> ProjectedFiles(const Object& source,
                                                                           const std::map<std::string, std::string>& data,
                                                                           const std::string& kind,
                                                                           const std::string& ns) {
  int default_mode = IntOr(source, "defaultMode", 0644);
  std::map<std::string, std::pair<std::string, int>> files;
  auto items = source.find("items");
  if (items != source.end() && items->is_array() && !items->empty()) {
    for (const Object& item : *items) {
      std::string key = Str(item, "key");
      auto it = data.find(key);
      if (it == data.end()) {
        return FailedPreconditionError("couldn't find key " + key + " in " + kind + " " + ns + "/" +
                                       Str(source, kind == "Secret" ? "secretName" : "name"));
      }
      files[Str(item, "path")] = {it->second, IntOr(item, "mode", default_mode)};
    }
  } else {
    for (const auto& [k, v] : data) files[k] = {v, default_mode};
  }
  return files;
}

}  // namespace

StatusOr<bool> WriteAtomicVolume(const std::string& dir, const std::map<std::string, std::pair<std::string, int>>& files) {
  MOOR_RETURN_IF_ERROR(MakeDirs(dir));
  fs::path data_link = fs::path(dir) / "..data";
  // Unchanged? Compare with what ..data holds now.
  std::error_code ec;
  if (fs::is_symlink(data_link, ec)) {
    bool same = true;
    std::size_t count = 0;
    for (const auto& entry : fs::recursive_directory_iterator(data_link, ec)) {
      if (entry.is_regular_file()) ++count;
    }
    if (count != files.size()) same = false;
    for (const auto& [rel, content] : files) {
      if (!same) break;
      auto current = ReadFileLimited((data_link / rel).string(), 64 << 20);
      struct stat st {};
      if (!current.ok() || *current != content.first || ::stat((data_link / rel).c_str(), &st) != 0 ||
          static_cast<int>(st.st_mode & 07777) != content.second) {
        same = false;
      }
    }
    if (same) return false;
  }
  // Checked before anything is written. As Kubernetes: relative, no ".." element, and not
  // starting with ".." (those names are the writer's own); "a..b" is a fine name.
  for (const auto& [rel, content] : files) {
    bool backstep = false;
    for (const auto& part : fs::path(rel)) backstep = backstep || part == "..";
    if (rel.empty() || rel.front() == '/' || rel.rfind("..", 0) == 0 || backstep) {
      return FailedPreconditionError("invalid volume item path " + rel);
    }
  }
  std::string version = "..data-" + RandomHex(8);
  fs::path version_dir = fs::path(dir) / version;
  MOOR_RETURN_IF_ERROR(MakeDirs(version_dir.string()));
  for (const auto& [rel, content] : files) {
    fs::path target = version_dir / rel;
    MOOR_RETURN_IF_ERROR(MakeDirs(target.parent_path().string()));
    MOOR_RETURN_IF_ERROR(WriteFileAtomic(target.string(), content.first));
    if (::chmod(target.c_str(), static_cast<mode_t>(content.second)) != 0) {
      return UnavailableError("chmod " + target.string() + ": " + std::strerror(errno));
    }
  }
  fs::path old_target = fs::is_symlink(data_link, ec) ? fs::read_symlink(data_link, ec) : fs::path();
  fs::path tmp_link = fs::path(dir) / "..data_tmp";
  fs::remove(tmp_link, ec);
  fs::create_directory_symlink(version, tmp_link, ec);
  if (ec) return UnavailableError("symlink in " + dir + ": " + ec.message());
  fs::rename(tmp_link, data_link, ec);
  if (ec) return UnavailableError("renaming ..data in " + dir + ": " + ec.message());
  // Top-level names: a symlink per first path component, pointing into ..data.
  std::set<std::string> tops;
  for (const auto& [rel, content] : files) tops.insert(rel.substr(0, rel.find('/')));
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("..", 0) == 0) continue;
    if (!tops.count(name)) fs::remove(entry.path(), ec);
  }
  for (const std::string& top : tops) {
    fs::path link = fs::path(dir) / top;
    if (fs::is_symlink(link, ec)) continue;
    fs::create_symlink(fs::path("..data") / top, link, ec);
    if (ec) return UnavailableError("symlink " + link.string() + ": " + ec.message());
  }
  if (!old_target.empty() && old_target != version) fs::remove_all(fs::path(dir) / old_target, ec);
  return true;
}

StatusOr<std::map<std::string, std::string>> PodVolumes::Prepare(const Object& pod, const ObjectLookup& lookup) const {
  std::map<std::string, std::string> paths;
  std::string uid = Str(manifests::FieldAt(pod, "metadata"), "uid");
  std::string ns = manifests::NamespaceOf(pod);
  const Object& volumes = manifests::FieldAt(pod, "spec.volumes");
  if (!volumes.is_array()) return paths;
  for (const Object& volume : volumes) {
    std::string name = Str(volume, "name");
    std::string dir = layout_.VolumeDir(uid, name);
    if (volume.contains("emptyDir")) {
      MOOR_RETURN_IF_ERROR(MakeDirs(dir));
      const Object& empty_dir = volume["emptyDir"];
      if (Str(empty_dir, "medium") == "Memory" && CurrentMountPointsUnder(dir).empty()) {
        std::string options = "mode=0777";
        if (empty_dir.is_object() && empty_dir.contains("sizeLimit")) {
          auto size = manifests::Quantity::FromJson(empty_dir["sizeLimit"]);
          if (size.ok()) options += ",size=" + std::to_string(size->Value());
        }
        if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
          return UnavailableError("mounting tmpfs for emptyDir " + name + ": " + std::strerror(errno));
        }
      } else {
        ::chmod(dir.c_str(), 0777);
      }
      paths[name] = dir;
    } else if (volume.contains("hostPath")) {
      std::string path;
      MOOR_RETURN_IF_ERROR(PrepareHostPath(volume["hostPath"], &path));
      paths[name] = path;
    } else if (volume.contains("configMap") || volume.contains("secret")) {
      bool secret = volume.contains("secret");
      const Object& source = secret ? volume["secret"] : volume["configMap"];
      std::string kind = secret ? "Secret" : "ConfigMap";
      std::string obj_name = Str(source, secret ? "secretName" : "name");
      bool optional = source.is_object() && source.value("optional", false);
      std::map<std::string, std::string> data;
      auto obj = lookup(ObjectKey{kind, ns, obj_name});
      if (obj.ok()) {
        MOOR_ASSIGN_OR_RETURN(data, ObjectDataOf(*obj));
      } else if (obj.status().code() != StatusCode::kNotFound) {
        return obj.status();
      } else if (!optional) {
        return FailedPreconditionError(std::string(secret ? "secret" : "configmap") + " \"" + obj_name + "\" not found");
      }
      MOOR_ASSIGN_OR_RETURN(auto files, ProjectedFiles(source, data, kind, ns));
      MOOR_RETURN_IF_ERROR(WriteAtomicVolume(dir, files).status());
      paths[name] = dir;
    } else if (volume.contains("persistentVolumeClaim")) {
      std::string claim = Str(volume["persistentVolumeClaim"], "claimName");
      auto pvc = lookup(ObjectKey{"PersistentVolumeClaim", ns, claim});
      if (!pvc.ok()) {
        if (pvc.status().code() == StatusCode::kNotFound) {
          return FailedPreconditionError("persistentvolumeclaim \"" + claim + "\" not found");
        }
        return pvc.status();
      }
      std::string claim_dir = pvc_root_ + "/" + ns + "/" + claim;
      MOOR_RETURN_IF_ERROR(MakeDirs(claim_dir));
      paths[name] = claim_dir;
    } else {
      std::string type = "unknown";
      for (auto it = volume.begin(); it != volume.end(); ++it) {
        if (it.key() != "name") type = it.key();
      }
      return FailedPreconditionError("volume " + name + ": volume type " + type + " is not supported by moor yet");
    }
  }
  return paths;
}

Status PodVolumes::Remove(const std::string& pod_uid) const {
  std::string volumes = layout_.PodDir(pod_uid) + "/volumes";
  MOOR_RETURN_IF_ERROR(UnmountAllUnder(volumes));  // tmpfs emptyDirs
  std::error_code ec;
  fs::remove_all(volumes, ec);
  if (ec) return UnavailableError("removing " + volumes + ": " + ec.message());
  return Status::Ok();
}

}  // namespace moor::runtime
