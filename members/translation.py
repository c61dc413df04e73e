from modeltranslation.translator import TranslationOptions, register

from .models import Body, County, Membership, Organisation, Partnership, Person


@register(County)
class CountyTranslation(TranslationOptions):
    fields = ("name",)


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Person)
class PersonTranslation(TranslationOptions):
    fields = ("title",)


@register(Body)
class BodyTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Partnership)
class PartnershipTranslation(TranslationOptions):
    fields = ("description",)


@register(Membership)
class MembershipTranslation(TranslationOptions):
    fields = ("note",)
