"""The embedded broker (no OORG_REDIS_URL): kombu's SQLAlchemy transport on a SQLite file in the data dir,
changed in one way. Kombu marks a delivered message invisible and keeps it forever; here it is deleted once
taken, so the broker file holds only what is still waiting. (Unacknowledged messages live in the worker's
memory either way and are put back on a clean shutdown.)
"""
from kombu.transport import TRANSPORT_ALIASES, sqlalchemy


class Channel(sqlalchemy.Channel):
    def _get(self, queue):
        payload = super()._get(queue)  # marks the message invisible and commits, or raises Empty
        taken = self.session.query(self.message_cls).filter(self.message_cls.visible == False)  # noqa: E712
        taken.delete(synchronize_session=False)
        self.session.commit()
        return payload


class Transport(sqlalchemy.Transport):
    Channel = Channel


def register() -> None:
    """Name it in broker URLs as `oorgsql+sqlite:///...` (kombu takes only aliases from a URL)."""
    TRANSPORT_ALIASES.setdefault("oorgsql", "oorg.core.broker:Transport")
