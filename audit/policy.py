"""C2SP tlog-policy: which logs and witnesses an auditor trusts, and the quorum.

Pure: parsing and evaluation, no I/O. A checkpoint is valid under a policy when it is
signed by one of the policy's logs and its valid witness cosignatures satisfy the
quorum (SPEC: c2sp.org/tlog-policy "What is a policy?"). Strict: every rule of the
spec's syntax section is enforced, with the line number in the error.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field

from audit.limits import POLICY_NAMES_MAX
from ledger.checkpoint import Checkpoint
from ledger.errors import FormatError, SignatureError
from ledger.note import CosignatureVerifier, Verifier, open_note, parse_verifier_key


@dataclass(frozen=True)
class Group:
    threshold: int
    members: tuple[str, ...]


@dataclass
class Policy:
    logs: list[Verifier] = field(default_factory=list)
    witnesses: dict[str, CosignatureVerifier] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    quorum: str = ""

    def satisfied_by(self, cosigned: Set[str], name: str | None = None) -> bool:
        """Whether the witnesses named in ``cosigned`` meet the quorum (or group ``name``)."""
        name = self.quorum if name is None else name
        if name == "none":
            return True
        if name in self.witnesses:
            return name in cosigned
        group = self.groups[name]
        return sum(self.satisfied_by(cosigned, m) for m in group.members) >= group.threshold

    def verify_checkpoint(self, note: str) -> Checkpoint:
        """Open ``note`` under this policy: a listed log signed it and the quorum holds."""
        opened = open_note(note, [*self.logs, *self.witnesses.values()])
        log = next((v for v in self.logs if opened.verified_by(v)), None)
        if log is None:
            raise SignatureError("checkpoint is not signed by any log in the policy")
        checkpoint = Checkpoint.parse(opened.text)
        if checkpoint.origin != log.name:
            raise SignatureError("checkpoint origin does not match the log's key name")
        cosigned = {name for name, v in self.witnesses.items() if opened.verified_by(v)}
        if not self.satisfied_by(cosigned):
            raise SignatureError(
                f"witness quorum {self.quorum!r} not met: cosigned by "
                f"{', '.join(sorted(cosigned)) or 'no listed witness'}",
                code="quorum_not_met",
                cosigned=sorted(cosigned),
            )
        return checkpoint


def parse_policy(data: bytes) -> Policy:
    """Parse a tlog-policy file (bytes: names are opaque octets per the spec)."""
    policy = Policy()
    public_keys: set[bytes] = set()
    names: set[str] = {"none"}
    quorum_lines = 0
    if not data.endswith(b"\n") and data:
        raise FormatError("policy: the last line must end with a newline")
    for number, raw in enumerate(data.split(b"\n")[:-1], start=1):
        if any((b < 0x20 and b != 0x09) or b == 0x7F for b in raw):
            raise FormatError(f"policy line {number}: control character")
        text = raw.decode("utf-8", errors="surrogateescape")
        words = text.replace("\t", " ").split(" ")
        words = [w for w in words if w]
        if not words or words[0].startswith("#"):
            continue

        def fail(why: str, line: int = number) -> FormatError:
            return FormatError(f"policy line {line}: {why}")

        keyword = words[0]
        if keyword == "log":
            if len(words) not in (2, 3):
                raise fail("expected: log <vkey> [<url>]")
            verifier = parse_verifier_key(words[1])
            if not isinstance(verifier, Verifier):
                raise fail("a log key must be an Ed25519 signed-note key")
            if verifier.public_key in public_keys:
                raise fail("duplicate key")
            public_keys.add(verifier.public_key)
            policy.logs.append(verifier)
        elif keyword == "witness":
            if len(words) not in (3, 4):
                raise fail("expected: witness <name> <vkey> [<url>]")
            name, verifier = words[1], parse_verifier_key(words[2])
            if not isinstance(verifier, CosignatureVerifier):
                raise fail("a witness key must be a cosignature/v1 key")
            if name in names:
                raise fail(f"name {name!r} defined twice")
            if verifier.public_key in public_keys:
                raise fail("duplicate key")
            public_keys.add(verifier.public_key)
            names.add(name)
            policy.witnesses[name] = verifier
        elif keyword == "group":
            if len(words) < 4:
                raise fail("expected: group <name> all|any|<k> <name>...")
            name, rule, members = words[1], words[2], tuple(words[3:])
            if name in names:
                raise fail(f"name {name!r} defined twice")
            if len(set(members)) != len(members):
                raise fail("a member is listed twice")
            for member in members:
                if member == "none" or member not in names:
                    raise fail(f"member {member!r} is not a witness or group defined above")
            if rule == "all":
                threshold = len(members)
            elif rule == "any":
                threshold = 1
            elif rule.isascii() and rule.isdigit() and (rule == "0" or not rule.startswith("0")):
                threshold = int(rule)
                if not 1 <= threshold <= len(members):
                    raise fail("threshold must be between 1 and the number of members")
            else:
                raise fail("threshold must be all, any or a decimal number")
            names.add(name)
            policy.groups[name] = Group(threshold, members)
        elif keyword == "quorum":
            quorum_lines += 1
            if len(words) != 2 or words[1] not in names:
                raise fail("expected: quorum <name of a witness or group defined above | none>")
            policy.quorum = words[1]
        else:
            raise fail(f"unknown keyword {keyword!r}")
        if len(names) > POLICY_NAMES_MAX or len(policy.logs) > POLICY_NAMES_MAX:
            raise fail("too many names")
    if quorum_lines != 1:
        raise FormatError("policy: exactly one quorum line is required")
    return policy
