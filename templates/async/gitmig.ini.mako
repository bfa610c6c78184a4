# gitmig configuration: one [gitmig] section, plus optional hooks and logging.

[gitmig]
# The migration environment folder (env.py, script.py.mako, versions/).
# %(here)s is the directory holding this file.
script_location = ${script_location}

# Revision file names.  Tokens: rev, slug, year, month, day, hour, minute, second, epoch.
# file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s

# Longest slug (from the message) kept in a file name.
# truncate_slug_length = 40

# Time zone (IANA name) for Create Date and file names; local time when unset.
# timezone = UTC

# Folders put on sys.path before env.py runs (space separated).
prepend_sys_path = .

# Where revision files live (space separated); default: <script_location>/versions.
# version_locations = %(here)s/migrations/versions

# Git ref(s) that `gitmig check-heads` compares against when no --against is given.
# git_target = origin/main

# A file holding the sorted head ids, so two branches that each add a revision on the
# same parent get a git merge conflict instead of a silent second head.
# head_file = %(here)s/migrations/versions/HEADS

sqlalchemy.url = ${sqlalchemy_url}


[post_write_hooks]
# Programs run on every new revision file.  For example, format it with ruff:
# hooks = ruff
# ruff.type = exec
# ruff.executable = ruff
# ruff.options = format REVISION_SCRIPT_FILENAME


[loggers]
keys = root,sqlalchemy,gitmig

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_gitmig]
level = INFO
handlers =
qualname = gitmig

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %%H:%%M:%%S
