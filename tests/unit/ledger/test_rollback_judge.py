"""``ledger.rollback_guard.judge`` (rule 3) and the state file, with no database.

The local tree and the published checkpoints are made-up trees (``witness_support.Tree``);
each accepted case sits beside the neighbour that must be refused.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from witness_support import Tree

from ledger.checkpoint import Checkpoint
from ledger.errors import HELD_CODES, LogBehindPublished, LogDisagreesWithPublished
from ledger.rollback_guard import Claim, Finding, StateFile, judge

ORIGIN = "terang.test/log"


def claim(tree: Tree, size: int, source: str = "state file x") -> Claim:
    return Claim(source, Checkpoint(ORIGIN, size, tree.root(size)))


def test_a_published_size_beyond_the_local_tree_is_behind() -> None:
    published = Tree().grow(8)
    local = Tree().grow(5)  # the same leaves, fewer: an older backup
    assert judge(5, local.root, [claim(published, 5)]) == []  # at its own size: fine
    assert judge(5, local.root, [claim(published, 8)]) == [Finding("behind", "state file x", 8, 5)]


def test_an_older_checkpoint_must_be_consistent_with_the_local_tree() -> None:
    published = Tree().grow(8)
    same = Tree().grow(12)  # went on from the published history
    other = Tree(salt="restored-then-written ").grow(12)  # another history
    assert judge(12, same.root, [claim(published, 8)]) == []
    assert judge(12, other.root, [claim(published, 8)]) == [
        Finding("disagrees", "state file x", 8, 12)
    ]


def test_the_same_size_with_another_root_disagrees() -> None:
    published = Tree().grow(8)
    other = Tree(salt="x").grow(8)
    assert judge(8, published.root, [claim(published, 8)]) == []
    assert judge(8, other.root, [claim(published, 8)])[0].kind == "disagrees"


def test_every_source_is_judged_in_order() -> None:
    published = Tree().grow(9)
    local = Tree().grow(4)
    findings = judge(
        4,
        local.root,
        [claim(published, 9, "witness w"), claim(published, 4, "mirror m"), claim(published, 6)],
    )
    assert [(f.source, f.source_size) for f in findings] == [("witness w", 9), ("state file x", 6)]


def test_a_finding_says_who_what_and_what_to_do() -> None:
    behind = Finding("behind", "mirror /srv/tiles", 9, 4).error()
    assert isinstance(behind, LogBehindPublished) and behind.http_status == 503
    assert behind.code == "log_behind_published" and behind.code in HELD_CODES
    assert behind.details["source"] == "mirror /srv/tiles"
    assert (behind.details["source_size"], behind.details["local_size"]) == (9, 4)
    assert "restore a newer backup" in behind.details["action"]
    assert "fork" in behind.message
    disagrees = Finding("disagrees", "witness w", 9, 12).error()
    assert isinstance(disagrees, LogDisagreesWithPublished)
    assert disagrees.code == "log_disagrees_with_published" and disagrees.code in HELD_CODES


def test_the_state_file_is_replaced_whole(tmp_path: Path) -> None:
    state = StateFile(tmp_path / "keys" / "log.checkpoint")
    assert state.read() is None  # nothing published yet
    state.save("first\n")
    state.save("second\n")
    assert state.read() == "second\n"
    assert sorted(p.name for p in state.path.parent.iterdir()) == ["log.checkpoint"]  # no temp
    assert state.path.stat().st_mode & 0o777 == 0o644  # public, unlike the key beside it


def test_a_failed_state_file_write_leaves_the_old_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = StateFile(tmp_path / "log.checkpoint")
    state.save("old\n")

    def power_cut(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError):
        state.save("new\n")
    assert state.read() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.checkpoint"]
