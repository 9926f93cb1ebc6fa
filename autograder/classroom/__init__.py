"""nbgrader's side: course layout, the gradebook, plugins, publishing and the sample class."""
