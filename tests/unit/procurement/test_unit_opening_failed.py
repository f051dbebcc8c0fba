"""A bid that cannot be opened is a Terang error whose code is the reason the log records.

The reasons are written into every unopenable bid's projected document
(``opening.reason``) and re-read by anyone who re-opens a bid, so their spelling is part
of the format: a renamed reason would make a replayed log project other documents.
"""

from __future__ import annotations

import pytest

from ledger.errors import ClientError, TerangError, VerificationError
from procurement import errors, sealed
from procurement.errors import OpeningFailed

REASONS = {
    "not_enough_shares",
    "bad_share",
    "inconsistent_shares",
    "share_mismatch",
    "ciphertext_hash_mismatch",
    "decryption_failed",
    "content_mismatch",
    "bad_envelope",
    "wrong_binding",
}
"""The reasons logs written so far carry (docs/procurement.md, "Opening reasons")."""


def _reasons() -> list[type[OpeningFailed]]:
    return OpeningFailed.__subclasses__()


def test_each_reason_is_one_class_with_its_stable_code() -> None:
    classes = _reasons()
    assert {cls.code for cls in classes} == REASONS
    assert len(classes) == len(REASONS)  # one class per reason, no code spelt twice


@pytest.mark.parametrize("cls", _reasons(), ids=lambda cls: cls.code)
def test_a_reason_is_a_verification_error_with_a_problem_document(
    cls: type[OpeningFailed],
) -> None:
    failure = cls("what failed, for a person", shares=1)
    assert isinstance(failure, TerangError)
    assert isinstance(failure, VerificationError)
    assert not isinstance(failure, ClientError)  # nobody's request was wrong
    assert failure.reason == failure.code == cls.code
    assert failure.problem() == {
        "type": "https://terang.dev/problems/" + cls.code.replace("_", "-"),
        "title": cls.code,
        "status": 422,
        "detail": "what failed, for a person",
        "code": cls.code,
        "details": {"shares": 1},
    }


def test_the_family_is_caught_as_one() -> None:
    """Callers that catch ``OpeningFailed`` (the opening, the CLI) see every reason."""
    for cls in _reasons():
        with pytest.raises(OpeningFailed):
            raise cls("x")
    assert sealed.NotEnoughShares is errors.NotEnoughShares  # what sealed raises


def test_too_few_shares_says_how_many_in_its_details() -> None:
    shares = sealed.split_key(sealed.new_key(), 3, 4)
    for combine in (sealed.combine_shares, sealed.combine_secret):
        with pytest.raises(errors.NotEnoughShares) as caught:
            combine(shares[:2], 3)
        assert caught.value.details == {"shares": 2, "threshold": 3}
        assert caught.value.message == "2 distinct shares; 3 are needed"


def test_a_share_that_is_no_scalar_names_its_x() -> None:
    above_order = sealed.Share(2, b"\xff" * sealed.SCALAR_BYTES)
    with pytest.raises(errors.BadShare) as caught:
        sealed.combine_secret([sealed.Share(1, sealed.scalar_bytes(5)), above_order], 2)
    assert (caught.value.code, caught.value.details) == ("bad_share", {"x": 2})
