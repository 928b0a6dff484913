"""Facts written when events happen: after each save of a source row, inside the same transaction
(governance/facts.py). Rows made with ``bulk_create`` send no signal: ``manage.py backfill_facts`` covers them."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from care.models import NeedsAssessment, SafeguardingReferral
from casework.models import Client, Referral
from governance import facts
from governance.models import Closure, EqualityMonitoring, Feedback, RightDelivered
from justice.models import Onward


@receiver(post_save, sender=Referral, dispatch_uid="governance_referral_fact")
def _referral(sender: Any, instance: Referral, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        facts.referral_fact(instance)


@receiver(post_save, sender=Client, dispatch_uid="governance_client_facts")
def _client(sender: Any, instance: Client, raw: bool = False, created: bool = False, **kwargs: Any) -> None:
    if not raw and not created:
        facts.client_facts(instance)


@receiver(post_save, sender=SafeguardingReferral, dispatch_uid="governance_safeguarding_fact")
def _safeguarding(sender: Any, instance: SafeguardingReferral, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        facts.safeguarding_fact(instance)


@receiver(post_save, sender=Onward, dispatch_uid="governance_onward_fact")
def _onward(sender: Any, instance: Onward, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        facts.onward_fact(instance)


@receiver(post_save, sender=NeedsAssessment, dispatch_uid="governance_outcomes_fact")
def _outcomes(sender: Any, instance: NeedsAssessment, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        facts.outcomes_fact(instance)


@receiver(post_save, sender=Feedback, dispatch_uid="governance_feedback_fact")
def _feedback(sender: Any, instance: Feedback, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        facts.feedback_fact(instance)


@receiver(post_save, sender=Closure, dispatch_uid="governance_closure_fact")
def _closure(sender: Any, instance: Closure, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        facts.closure_fact(instance)


@receiver(post_save, sender=RightDelivered, dispatch_uid="governance_right_fact")
def _right(sender: Any, instance: RightDelivered, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        facts.right_fact(instance)


@receiver(post_save, sender=EqualityMonitoring, dispatch_uid="governance_equality_fact")
def _equality(sender: Any, instance: EqualityMonitoring, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        facts.equality_fact(instance)
