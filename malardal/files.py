"""Files the portal writes outside its file storage (``--output`` of the report
commands): private to the portal's user from the moment they exist. Files in the
storage (MEDIA_ROOT) get FILE_UPLOAD_PERMISSIONS from FileSystemStorage."""

import os
from pathlib import Path

PRIVATE_FILE_MODE = 0o600


def write_private_file(path: str | os.PathLike, content: bytes) -> Path:
    """Write `content` to `path`, mode 0600 whatever the umask (an existing file is
    truncated and made 0600 before it is written). Returns the path."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(f.fileno(), PRIVATE_FILE_MODE)
        f.write(content)
    return path
