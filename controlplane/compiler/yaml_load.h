#pragma once
// Checked YAML loading: the only way Rampart's C++ code reads YAML (policy
// files, controller documents, rampartctl). yaml-cpp accepts things that
// would silently change what a file means, so before building the node
// tree the text is checked, over yaml-cpp's parse events (which carry the
// same marks as the nodes), for:
//  - duplicate mapping keys, at any depth, block or flow style. yaml-cpp
//    keeps both pairs and a reader iterating the map takes the last, so
//    `action: deny` then `action: allow` would read as allow. Keys are
//    compared as our readers see them: by their text whatever the quoting
//    (`a`, "a", 'a'), and plain scalars also by their YAML 1.2 core schema
//    value (`1`, `+1`, `0x1`, `0o1`; `true`, `True`; `null`, `~`, empty;
//    `1.0`, `1e0`). An alias key counts as the scalar it refers to;
//  - keys that are not scalars (a mapping or sequence used as a key): no
//    reader of the project has a use for one (PyYAML refuses them too);
//  - merge keys (`<<`): yaml-cpp does not implement them (it reads `<<` as
//    an ordinary key), while other YAML tools merge; a file must not mean
//    two things;
//  - a second document (`---`): only the first would be read.
// Every problem is reported, each as "ORIGIN:LINE:COLUMN: error: ...";
// for a duplicate the first occurrence is named too. Cold; any thread.

#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/result.h"

namespace rampart::cp {

struct CheckedYaml {
  YAML::Node root;    // the (first) document; a null node for an empty text
  int problems = 0;   // errors appended by load_yaml_checked; refuse the text if > 0
};

// Parses `text` (named `origin` in messages) and appends every problem
// above to *errors. When the text is YAML the tree is returned even if it
// has problems, so that the caller can report its own errors as well; it
// must then refuse the input. Text that is not YAML at all (a syntax error,
// nesting deeper than yaml-cpp allows) is an Error, with the syntax error
// appended to *errors. yaml-cpp's exceptions never leave this function.
Result<CheckedYaml> load_yaml_checked(std::string_view text, const std::string& origin,
                                     std::vector<std::string>* errors);

}  // namespace rampart::cp
