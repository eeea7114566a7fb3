"""nbconvert preprocessor used by tools/run_notebooks.ts to execute notebooks in Deno's kernel.

Deno's Jupyter kernel (checked with Deno 2.9.6) sometimes publishes a cell's
last outputs (execute_result, display updates) a few milliseconds *after* its
"idle" status. nbconvert's ExecutePreprocessor stops listening at "idle", so
those outputs vanish from the executed notebook (about 1 cell in 20 in our
measurements). This subclass keeps collecting the cell's own messages for a
short grace period after "idle".

Displays updated in place (progress bars and progress groups of
src/core/progress*.ts: a display_data message with a display_id, then
update_display_data messages) keep their last state: nbclient replaces the
data of every output recorded under that display_id. An update that arrives
while another cell is polling (a late one, or one sent from a later cell) is
applied too instead of being dropped as another cell's message.

Everything else, including failing on a cell error, is nbconvert's own
behaviour.

Use: PYTHONPATH=tools/jupyter jupyter nbconvert --to notebook \
  --NotebookExporter.preprocessors='["deno_execute.DenoExecutePreprocessor"]' ...
"""

from queue import Empty
from time import monotonic

from jupyter_core.utils import ensure_async
from nbclient.exceptions import CellExecutionComplete
from nbconvert.preprocessors import ExecutePreprocessor
from traitlets import Float


class DenoExecutePreprocessor(ExecutePreprocessor):
    """ExecutePreprocessor that also records outputs arriving just after "idle"."""

    idle_grace = Float(
        0.3, help="Seconds to keep collecting a cell's outputs after its idle status."
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        # nbconvert only enables ExecutePreprocessor with --execute; this one runs when listed.
        self.enabled = True
        return super().preprocess(nb, resources, km)

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        idle_at = None
        while True:
            timeout = None if idle_at is None else max(0.0, idle_at + self.idle_grace - monotonic())
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=timeout))
            except Empty:
                return
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                if msg["msg_type"] == "update_display_data":
                    self._apply_display_update(msg)
                continue
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                idle_at = monotonic()

    def _apply_display_update(self, msg):
        """Applies an update_display_data message of another cell by its display_id."""
        transient = msg["content"].get("transient") or {}
        display_id = transient.get("display_id")
        if display_id:
            self._update_display_id(display_id, msg)
