/**
 * Frequently leaked passwords and the stems they are built from. A candidate is refused when it,
 * or it with trailing digits and symbols removed, is on this list: "Password2024!" is as weak as "password".
 */
const COMMON = `
123456 123456789 12345678 1234567890 12345 1234567 111111 000000 123123 654321 666666 121212 112233 987654321
0987654321 1111111111 1234512345 1q2w3e4r5t 1q2w3e4r 1qaz2wsx 1qaz2wsx3edc zaq12wsx zaq1zaq1 qazwsx qazwsxedc
password passw0rd p@ssw0rd p@ssword pa55word password1 passwordpassword mypassword newpassword changeme
letmein welcome welcome1 default secret topsecret administrator admin admin123 root toor guest login
qwerty qwertyuiop qwertyuiop123 qwerty123 qwertyui asdfghjkl asdfgh asdf zxcvbnm zxcvbnm123 1q2w3e qweasdzxc
abc123 abcdef abcdefg abcdefgh abcdefghij abcd1234 aa123456 a1b2c3d4 iloveyou iloveyou1 loveyou lovely
monkey dragon master shadow sunshine princess football baseball basketball soccer hockey superman batman
spiderman starwars pokemon naruto minecraft fortnite trustno1 whatever freedom hello hello123 helloworld
charlie michael jessica ashley daniel thomas jennifer jordan hunter harley ranger buster tigger ginger pepper
chocolate cookie cheese banana orange computer internet samsung iphone google facebook twitter instagram
linkedin youtube microsoft windows summer winter spring autumn august october november december
flower butterfly rainbow purple silver golden diamond michelle nicole matrix access killer maverick
mustang ferrari porsche corvette mercedes jaguar liverpool chelsea arsenal barcelona manchester juventus
chicken yankees cowboys eagles lakers steelers dolphins hannah amanda andrew joshua matthew robert
anthony william richard charles 7777777 88888888 99999999 11223344 12341234 55555555 123qwe 123abc
qwer1234 asdf1234 zxcv1234 password12 password123 welcome123 letmein123 iloveyou123 qwerty12345
monkey123 dragon123 football1 baseball1 princess1 sunshine1 superman1 whatever1 computer1 michael1
threadline comments commenter moderator newspaper
`;

export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(COMMON.split(/\s+/).filter(Boolean));

export function isCommonPassword(candidate: string): boolean {
  const lowered = candidate.toLowerCase();
  if (COMMON_PASSWORDS.has(lowered)) return true;
  const stem = lowered.replace(/[\d\W_]+$/, '');
  if (stem.length > 0 && COMMON_PASSWORDS.has(stem)) return true;
  // A single character repeated, or a run of one repeated short chunk ("abcabcabcabc").
  return /^(.{1,3})\1+$/.test(lowered);
}
