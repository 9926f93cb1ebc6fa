"""The public API stays small and deliberate."""

import autograder


def test_public_api_is_exactly_these_names():
    assert sorted(autograder.__all__) == ["Msg", "SubmissionResult", "exercises", "grade_submissions", "read_notebook"]
    assert all(hasattr(autograder, name) for name in autograder.__all__)
