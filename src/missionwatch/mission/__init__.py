"""The mission picture: the state of the mission on a date, every figure with its sources.

API::

    from missionwatch.mission import contributions_of, build_picture, PictureState, apply_reviews

    contribution = contributions_of(extraction, body=report.body, reviews=reviews)  # one report
    picture = build_picture([contribution, ...], as_of=date)                         # the fold
    picture.to_json()                                                                # missionwatch.picture/1

    state = PictureState()            # incremental: add/remove one report, fold again
    state.add(contribution); state.picture(as_of)
    state.timeline.explain("ev-...")  # why events were merged

``state.picture(as_of)`` after ``add``/``remove`` rebuilds only what the
changed reports touch (see ``picture``). With a store,
``missionwatch.mission.service.MissionService(store)`` keeps a state in step
with it, from contributions cached in the ``mission_contributions`` table
(store migration 0003), reducing only reports that changed.
"""

from missionwatch.mission.contributions import cache_key, contributions_of
from missionwatch.mission.model import Contribution, MissionPicture, Source
from missionwatch.mission.picture import PictureState, build_picture
from missionwatch.mission.reviews import Review, apply_reviews, review_version

__all__ = ["Contribution", "MissionPicture", "PictureState", "Review", "Source", "apply_reviews",
           "build_picture", "cache_key", "contributions_of", "review_version"]
