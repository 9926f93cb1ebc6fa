"""The call boundary: the parent's handle on a student's program, the codec, the wire and the child's sealed side."""
