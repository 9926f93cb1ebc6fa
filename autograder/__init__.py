"""PyTorch basics kit: hidden graders, a sandboxed grading engine and reports."""
