"""What the jobs' fork server imports first (``forked.PRELOAD``); nothing else imports it.

A forked job re-runs the parent's ``__main__`` module as ``__mp_main__`` before its
verb starts. Under ``python -m dar_transfer.cli`` that module is already imported in the
server, and runpy warns about it on the campaign's terminal once per job. Re-running it
is harmless (its work is under ``if __name__ == '__main__'``), so the server, and the
jobs it forks, ignore that one warning.
"""
import warnings

warnings.filterwarnings('ignore', category=RuntimeWarning, module='runpy',
                        message=r"'dar_transfer\.cli' found in sys\.modules")
