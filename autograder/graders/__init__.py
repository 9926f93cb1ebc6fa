"""Hidden graders, one file per exercise. Never shipped to students."""
