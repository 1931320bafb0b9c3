#pragma once
// The compiler's names for the plain-data model it builds
// (common/policy/): CompiledPolicy and its parts, Signature and its parts,
// CompiledSignatures. The model lives in the bottom layer so that the
// dataplane can read it without the compiler; inside namespace cp these
// using-declarations let the compiler name it as before.

#include "common/policy/compiled_policy.h"
#include "common/policy/compiled_signatures.h"
#include "common/policy/signature.h"

namespace rampart::cp {

using policy::Action;
using policy::action_name;
using policy::BufferDatabase;
using policy::Cidr;
using policy::CompiledPolicy;
using policy::CompiledRule;
using policy::CompiledSignatures;
using policy::embedded_default_policy;
using policy::fully_resolved;
using policy::GroupDefinition;
using policy::GroupMode;
using policy::group_mode_name;
using policy::GroupRef;
using policy::GroupScope;
using policy::kSigBufferCount;
using policy::PortRange;
using policy::sig_buffer_name;
using policy::SigAction;
using policy::SigAddressList;
using policy::SigBuffer;
using policy::SigContent;
using policy::Signature;
using policy::SignatureSetText;
using policy::SigPcre;
using policy::SigPortList;
using policy::SigPortRange;
using policy::SigProto;

}  // namespace rampart::cp
