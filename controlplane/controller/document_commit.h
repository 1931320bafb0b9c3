#pragma once
// commit_document_change: one policy document created, replaced or
// removed (DIR/NAME.yaml) together with the version file that describes
// the new set of documents (DIR/.rampart-version), in an order that
// leaves, after an error or a crash at any step, the old state or the
// complete new one:
//  1. Stage (staged_file.h): the new document and the new version file
//     are written in full under hidden temporary names and fsynced; a
//     document being replaced also gets a hidden second name (a hard
//     link) to come back from. A failure here (ENOSPC, EIO, ...) removes
//     what was staged: nothing changed.
//  2. The document takes its place (rename; a removal renames it aside),
//     and the directory is synced.
//  3. The version file takes its place (rename), and the directory is
//     synced. If this fails, step 2 is undone (the old document is back,
//     a new one is gone) and the error returned: nothing changed.
//  4. The set-aside name is removed.
// A crash between 2 and 3 leaves the new documents with the old version
// file; the next start finds that their digest is not the stored one and
// gives them the next version: the complete new state, as the appliances
// then get it. A crash elsewhere leaves one of the two states plus hidden
// leftovers, which DesiredState::open removes.
// Cold; the caller serialises access to the directory.

#include <string>

#include "controlplane/controller/version_store.h"
#include "common/result.h"

namespace rampart::controller {

// new_text: the document's new content; nullptr removes it.
Result<Ok> commit_document_change(const std::string& dir, const std::string& name, const std::string* new_text,
                                  const VersionState& next);

}  // namespace rampart::controller
