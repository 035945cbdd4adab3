"""factory_boy factories. Cases are built through the services where state matters."""

from __future__ import annotations

import factory

from accounts.models import Membership, Organization, PartnerAgency, User
from cases.models import Case, CaseParty, ClaimItem, Employer, Person


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ORG{n}")
    name = factory.Sequence(lambda n: f"测试调解中心{n}")
    short_code = factory.Sequence(lambda n: f"京测{n}工调")
    level = "district"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerAgency

    code = factory.Sequence(lambda n: f"agency{n}")
    name = factory.Sequence(lambda n: f"测试法院{n}")
    kind = "court"
    district = factory.SubFactory(OrganizationFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("pw-12345678")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "clerk"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"张{n}")


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"北京测试{n}有限公司")


class CaseFactory(factory.django.DjangoModelFactory):
    """A draft case with one applicant, one respondent and one claim."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    dispute_type = "PAY"
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def with_parties(self, create: bool, extracted: object, **kwargs: object) -> None:
        if not create or extracted is False:
            return
        worker = CaseParty.objects.create(case=self, side="applicant", party_kind="worker", person=PersonFactory())
        CaseParty.objects.create(case=self, side="respondent", party_kind="employer", employer=EmployerFactory())
        ClaimItem.objects.create(
            case=self, claimant=worker, claim_type="WAGE", description="支付拖欠工资", amount="12000.00"
        )
