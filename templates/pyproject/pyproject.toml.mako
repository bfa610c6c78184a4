[tool.gitmig]
# The migration environment folder (env.py, script.py.mako, versions/).
script_location = "${script_location}"

# Revision file names.  Tokens: rev, slug, year, month, day, hour, minute, second, epoch.
# file_template = "%(year)d_%(month).2d_%(day).2d_%(rev)s_%(slug)s"

# Folders put on sys.path before env.py runs.
prepend_sys_path = ["."]

# Where revision files live; default: <script_location>/versions.
# version_locations = ["%(here)s/migrations/versions"]

# Git ref(s) that `gitmig check-heads` compares against when no --against is given.
# git_target = "origin/main"

# Keep the sorted head ids in a file so parallel branches conflict in git.
# head_file = "%(here)s/migrations/versions/HEADS"

# The database URL; env.py may also take it from elsewhere (an environment variable).
"sqlalchemy.url" = "${sqlalchemy_url}"

# Programs run on every new revision file:
# [[tool.gitmig.post_write_hooks]]
# name = "ruff"
# type = "exec"
# executable = "ruff"
# options = "format REVISION_SCRIPT_FILENAME"
